/**
 * Runs before every test file (vitest.config.ts `setupFiles`), also when test files share a worker's modules
 * (`isolate: false`), where a hook registered by a shared module would belong to the first file only.
 */
import { afterAll } from 'vitest';
import { removeFileScoped } from './git.js';

afterAll(removeFileScoped);
