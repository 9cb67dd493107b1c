// Runs after `npm install` (package.json "postinstall").
//
// Why: package.json pins @duckdb/duckdb-wasm to 1.28.0, the last release with Parquet built in
// (later ones download the parquet extension from the internet at run time and, offline, wait for
// it forever: `evidence sources` and `evidence build` hang at 0 % CPU). DuckDB 0.9.1 inside it does
// not know two settings Evidence's universal-sql sets on start-up, and the failed SET aborts the
// database's initialisation. This makes both SETs best-effort. Idempotent: a patched file is left
// as it is, and an Evidence upgrade that drops the lines makes this script fail loudly.
const fs = require('fs');
const path = require('path');

const SETTINGS = ['ieee_floating_point_ops = false', 'old_implicit_casting = true'];
const dir = path.join(__dirname, '..', 'node_modules', '@evidence-dev', 'universal-sql', 'src', 'client-duckdb');

for (const file of ['node.js', 'browser.js']) {
	const target = path.join(dir, file);
	let source = fs.readFileSync(target, 'utf8');
	for (const setting of SETTINGS) {
		const original = `await connection.query('SET ${setting};');`;
		const patched = `await Promise.resolve().then(() => connection.query('SET ${setting};')).catch(() => {});`;
		if (source.includes(patched)) continue;
		if (!source.includes(original)) {
			throw new Error(`${target}: expected "${original}"; Evidence changed, revisit this patch`);
		}
		source = source.replace(original, patched);
	}
	fs.writeFileSync(target, source);
}
console.log('patched @evidence-dev/universal-sql for duckdb-wasm 1.28.0');
