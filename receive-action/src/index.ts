// First: checks the Node.js version before the rest of the bundle is loaded (see action-runtime/startup.ts).
import '../../action-runtime/startup.js';
import { run } from './main.js';

void run();
