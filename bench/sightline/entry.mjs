// Sightline as a peer of the shared benchmark harness: the init a user would write.
import { init } from './pkg/index.js';

export const ready = init({ collector: __COLLECTOR__ });
