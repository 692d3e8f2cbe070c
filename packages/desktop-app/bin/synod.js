#!/usr/bin/env node
// The `synod` command (src/cli/main.ts): compiled to dist/cli/ by tsc -b, then bundled into
// dist/synod/ by bin/build-cli.js (`npm run build`), which starts faster.
import '../dist/synod/main.js';
