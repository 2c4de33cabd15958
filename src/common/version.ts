// The version of ipvx, from package.json (the one place it is written): `ipvx
// --version`, `ipvx daemon status` and GetStatus show it.
import { readFileSync } from 'node:fs';

// build/js/src/common/version.js -> <root>/package.json; src/common/version.ts -> the same.
const fromBuild = new URL('../../../../package.json', import.meta.url);
const PACKAGE_JSON = import.meta.url.includes('/build/js/') ? fromBuild : new URL('../../package.json', import.meta.url);

export const VERSION: string = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
