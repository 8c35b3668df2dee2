// Writes crates/hub/src/web/world.svg, the country outlines of the web UI's map, from Natural
// Earth's 1:110m Admin 0 countries (public domain) as the npm package world-atlas ships them
// (TopoJSON), in an equirectangular projection (x = longitude, y = −latitude, 0.1° precision).
//
//   npm install --prefix "$tmp" world-atlas@2.0.2 topojson-client@3
//   WEB_NODE_MODULES="$tmp/node_modules" node .ci/world-outlines.mjs
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(join(process.env.WEB_NODE_MODULES, 'x.js'));
const { feature } = require('topojson-client');
const topology = require('world-atlas/countries-110m.json');
const version = require('world-atlas/package.json').version;

// A ring as a path; where it crosses the antimeridian (a jump of more than 180° in longitude)
// a new subpath starts, so that no line crosses the whole map.
const ring = (points) => points.map(([lon, lat], i) => {
  const jump = i > 0 && Math.abs(lon - points[i - 1][0]) > 180;
  return `${i === 0 || jump ? 'M' : 'L'}${lon.toFixed(1)} ${(-lat).toFixed(1)}`;
}).join('') + 'Z';
const paths = feature(topology, topology.objects.countries).features.map((f) => {
  const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  const d = polygons.flatMap((rings) => rings.map(ring)).join('');
  return `<path d="${d}"><title>${f.properties.name.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</title></path>`;
});
const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-180 -90 360 180">
<!-- Natural Earth 1:110m Admin 0 countries (public domain, naturalearthdata.com), from the npm
     package world-atlas ${version}; written by .ci/world-outlines.mjs. -->
<g fill="#e4e8ec" stroke="#8c96a0" stroke-width="0.15">
${paths.join('\n')}
</g>
</svg>
`;
writeFileSync('crates/hub/src/web/world.svg', svg);
console.log(`world.svg: ${paths.length} countries, ${svg.length} bytes`);
