// First: checks the Node.js version before the rest of the bundle is loaded (see action-runtime/startup.ts).
import '../../action-runtime/startup.js';
import { isVerifyWorker, serveVerifyJobs } from '../../action-runtime/verify-pool.js';
import { run } from './main.js';

// The same bundle, started as a read-back thread by the action itself, serves checks instead.
if (isVerifyWorker()) serveVerifyJobs();
else void run();
