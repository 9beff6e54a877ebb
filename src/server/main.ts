// Entry point of the language server (bundled to dist/server/main.js). The transport comes from the
// command line: `--node-ipc` when VS Code's client starts it, `--stdio` for tests and other editors.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);

// The server must outlive any bug in one critique: log it and keep serving.
process.on('uncaughtException', (error) => {
  try {
    connection.console.error(`uncaught: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } catch {
    process.stderr.write(`stepcritic server: uncaught: ${String(error)}\n`);
  }
});
process.on('unhandledRejection', (reason) => {
  try {
    connection.console.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  } catch {
    process.stderr.write(`stepcritic server: unhandled rejection: ${String(reason)}\n`);
  }
});

startServer(connection);
