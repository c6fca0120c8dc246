// Validates a state machine definition with asl-validator.
// stdin: the definition. stdout: {"valid": bool, "errors": [string]}.
import { createRequire } from 'node:module';
import { readJSON } from './stdin.mjs';

const require = createRequire(import.meta.url);
const validator = require('asl-validator');

const definition = await readJSON();
const { isValid, errors } = validator(definition, { checkPaths: true, checkArn: true });
process.stdout.write(JSON.stringify({
  valid: isValid,
  errors: (errors ?? []).map((e) => `${e['Error code'] ?? ''} ${e.path ?? ''} ${e.message ?? JSON.stringify(e)}`.trim()),
}));
