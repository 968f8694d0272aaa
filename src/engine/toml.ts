// TOML, parsed by smol-toml: the configuration readers (user-config.ts) and the project's package
// layout (project/members.ts) read pyproject.toml through this one import.

// smol-toml ships CommonJS under its "require" export; its types are declared as ESM only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { parse: parseToml } = require('smol-toml') as typeof import('smol-toml', { with: { 'resolution-mode': 'import' } });
