// Rewrites the rule table of README.md from the catalog. Run after `npm test` (needs out/).
import fs from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { rulesTable, withTable } = require('../out/src/catalog/table.js');
const { IMPLEMENTED_CODES } = require('../out/src/engine/index.js');
const { resolveConfig } = require('../out/src/engine/config.js');
const readme = fs.readFileSync('README.md', 'utf8');
fs.writeFileSync('README.md', withTable(readme, rulesTable(IMPLEMENTED_CODES, resolveConfig().enabled)));
console.log('README.md rule table updated');
