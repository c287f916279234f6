import { run } from './bin.js';

run();
