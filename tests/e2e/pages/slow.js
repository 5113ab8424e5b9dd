// a deliberately slow script (served with ?delay=): a known slow resource for the resource timing test
window.__slowScriptRan = true;
