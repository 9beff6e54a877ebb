// The version users see (`stepcritic --version`, reports, the language server's serverInfo): the
// package's own, bundled at build time.
import packageJson from '../../package.json';

export const TOOL_VERSION: string = packageJson.version;
