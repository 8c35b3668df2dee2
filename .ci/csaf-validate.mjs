// Validates CSAF 2.0 documents with OASIS/BSI's @secvisogram/csaf-validator-lib: the strict
// schema tests and every mandatory test (CSAF 2.0 §6.1). Usage: node csaf-validate.mjs FILE…
// Run from a directory where the library is installed (see .ci/run).
import { readFileSync } from 'node:fs'
import validateStrict from '@secvisogram/csaf-validator-lib/validateStrict.js'
import * as schemaTests from '@secvisogram/csaf-validator-lib/schemaTests.js'
import * as mandatoryTests from '@secvisogram/csaf-validator-lib/mandatoryTests.js'

const tests = [...Object.values(schemaTests), ...Object.values(mandatoryTests)]
let failed = 0
for (const file of process.argv.slice(2)) {
  const result = await validateStrict(tests, JSON.parse(readFileSync(file, 'utf8')))
  for (const test of result.tests) {
    for (const error of test.errors) console.error(`${file}: ${test.name} ${error.instancePath}: ${error.message}`)
  }
  console.log(`${file}: ${result.isValid ? 'valid' : 'INVALID'} (${result.tests.length} tests)`)
  if (!result.isValid) failed += 1
}
process.exit(failed === 0 ? 0 : 1)
