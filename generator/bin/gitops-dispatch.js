#!/usr/bin/env node
// The CLI's committed bundle; `npm run build` makes it from generator/src.
import '../dist/index.js';
