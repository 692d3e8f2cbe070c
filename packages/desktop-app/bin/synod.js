#!/usr/bin/env node
// The `synod` command (src/cli/main.ts), compiled to dist/ by `npm run build` (tsc -b).
import '../dist/cli/main.js';
