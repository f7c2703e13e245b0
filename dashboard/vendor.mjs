// Copies the dashboard's third-party assets into the service (src/ClaimsService.Api/Ops/Dashboard/vendor),
// where they are embedded into the assembly. Run with `npm ci && npm run build`; commit the result.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, '..', 'src', 'ClaimsService.Api', 'Ops', 'Dashboard', 'vendor');
mkdirSync(target, { recursive: true });
const files = [
  ['node_modules/chart.js/dist/chart.umd.min.js', 'chart.umd.min.js'],
  ['node_modules/chart.js/LICENSE.md', 'chart.js.LICENSE.md'],
];
for (const [from, to] of files) {
  copyFileSync(join(here, from), join(target, to));
  console.log(`${from} -> ${join('src/ClaimsService.Api/Ops/Dashboard/vendor', to)}`);
}
