#!/usr/bin/env node
// The `berth` command; the code is in src/cli (built to dist/cli).
import "../dist/cli/main.js";
