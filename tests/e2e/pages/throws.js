// Loaded from another origin without CORS: the browser reports its error only as "Script error."
throw new Error('a detail the browser must hide from the page');
