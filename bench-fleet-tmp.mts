import { fleetSection } from './bench/fleet-section.ts';
import { renderTable } from './bench/report.ts';
const sizes = process.argv[2]!.split(',').map(Number);
const rows = [];
for (const targets of sizes) rows.push(...(await fleetSection({ targets, repeat: Number(process.argv[3] ?? 1), levers: false })));
console.log(renderTable(rows));
