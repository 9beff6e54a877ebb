#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(bundle)) {
  process.stderr.write('stepcritic: the CLI is not built yet; run `npm run build` first.\n');
  process.exit(2);
}
require(bundle);
