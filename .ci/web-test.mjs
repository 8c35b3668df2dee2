// The browser walk of .ci/web.sh: headless Debian Chromium through playwright-core. Env: BASE
// (the server), ARTEFACTS (screenshots and report.json), WEB_NODE_MODULES (where npm put
// playwright-core and axe-core). Exits non-zero listing every failure.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(join(process.env.WEB_NODE_MODULES, 'x.js'));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = process.env.BASE;
const ARTEFACTS = process.env.ARTEFACTS;

const failures = [];
const report = [];
const fail = (what) => { failures.push(what); console.error(`FAIL ${what}`); };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

/** A logged-in page for `role`, watching for foreign requests and CSP violations. */
async function session(role) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('request', (r) => {
    if (!r.url().startsWith(BASE) && !r.url().startsWith('data:')) fail(`${role}: request to another origin: ${r.url()}`);
  });
  page.on('console', (m) => {
    // A refused page (403) or form (422) is logged as a failed load; everything else is a failure.
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of (403|422)/.test(m.text())) fail(`${role}: console error on ${page.url()}: ${m.text()}`);
  });
  await page.goto(`${BASE}/login`);
  await page.fill('#name', `web-${role}`);
  await page.fill('#password', `web-${role}-password-long-enough`);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
  return { context, page };
}

/** Opens `path`, expects `status`, keeps a screenshot and runs axe-core on it. */
async function screen(page, role, name, path, status = 200) {
  const response = await page.goto(`${BASE}${path}`);
  const got = response ? response.status() : 0;
  if (got !== status) fail(`${role} ${path}: status ${got}, expected ${status}`);
  await shoot(page, role, name);
}

async function shoot(page, role, name) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (width > 1280) fail(`${role} ${name} (${page.url()}): ${width} px wide, wider than 1280`);
  const file = join(ARTEFACTS, `${role}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => await globalThis.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of bad) fail(`${role} ${name} (${page.url()}): axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes, e.g. ${v.nodes[0]?.target})`);
  report.push({ role, name, url: page.url(), screenshot: file, serious_or_critical: bad.map((v) => v.id) });
}

async function text(page) {
  return await page.evaluate(() => document.body.innerText);
}

const staffScreens = [
  ['dashboard', '/'], ['atlas', '/atlas'], ['atlas-search', '/atlas?q=cable&foreign=1'], ['map', '/map'],
  ['priorities', '/priorities'], ['priorities-filtered', '/priorities?country=DE'],
  ['intel', '/intel'], ['intel-act', '/intel?decision=Act'], ['exchange', '/exchange'],
  ['coordination', '/coordination'], ['coordination-activities', '/coordination?kind=activity'],
  ['deconfliction', '/coordination/deconfliction'], ['measures', '/measures'],
  ['measure', '/measures/2.3b'], ['review', '/measures/review'],
  ['false-positives', '/intel/false-positives'], ['cvd', '/intel/cvd'],
];

// Staff: every screen, the asset page of the top priority, and what each role may not open.
let otherPartners = [];
for (const role of ['admin', 'analyst', 'coordinator']) {
  const { context, page } = await session(role);
  for (const [name, path] of staffScreens) await screen(page, role, name, path);
  await page.goto(`${BASE}/map`);
  if (await page.locator('svg.map a circle').count() < 10) fail(`${role}: fewer than 10 assets on the map`);
  await page.goto(`${BASE}/priorities`);
  const top = await page.getAttribute('table.list tbody tr:first-child a', 'href');
  if (!top) fail(`${role}: no ranked asset on /priorities`);
  else {
    await screen(page, role, 'asset', top);
    const body = await text(page);
    for (const part of ['Why it ranks here', 'impact × (1 + exposure) × (1 + threat)', 'Providers and dependents', 'Rank history']) {
      if (!body.includes(part)) fail(`${role} asset page ${top}: no "${part}"`);
    }
    if (await page.locator('svg.graph').count() !== 1) fail(`${role} asset page: no neighbourhood graph`);
  }
  // A collection's objects with their TLP badges.
  await page.goto(`${BASE}/exchange`);
  const collection = await page.locator('a[href^="/exchange/collections/"]').first().getAttribute('href');
  if (!collection) fail(`${role}: no collection on /exchange`);
  else {
    await screen(page, role, 'collection', collection);
    if (await page.locator('table.list .tlp').count() < 1) fail(`${role}: no TLP badge on ${collection}`);
  }
  const scenarios = role === 'coordinator' ? 403 : 200;
  await screen(page, role, 'scenarios', '/scenarios', scenarios);
  await screen(page, role, 'montecarlo', '/scenarios/montecarlo', scenarios);
  await screen(page, role, 'portal-refused', '/portal', 403);
  if (role === 'admin') {
    // The notification ids addressed to partners other than cert-de, from the board.
    await page.goto(`${BASE}/exchange`);
    otherPartners = await page.evaluate(() => [...document.querySelectorAll('.board .card')]
      .filter((c) => !c.innerText.includes('to cert-de '))
      .map((c) => c.querySelector('code').innerText));
    if (otherPartners.length === 0) fail('admin: the board shows no notification to other partners');
    // Admin: the users, a user's tokens, the audit log and its chain.
    await screen(page, role, 'admin-users', '/admin/users');
    await screen(page, role, 'admin-user', '/admin/users/web-analyst');
    await screen(page, role, 'admin-audit', '/admin/audit');
    await screen(page, role, 'admin-audit-filtered', '/admin/audit?action=user.add');
    await screen(page, role, 'admin-audit-verify', '/admin/audit/verify');
    if (!(await text(page)).includes('The chain is intact')) fail('admin: the audit chain is not intact');
    // Add a user from the form, refused first (a short password), then added.
    await page.goto(`${BASE}/admin/users`);
    await page.fill('#u-name', 'browser-walk');
    await page.selectOption('#u-role', 'coordinator');
    await page.fill('#u-password', 'short');
    await page.click('form[action="/admin/users"][method=post] button[type=submit]');
    if (await page.locator('#u-password-error').count() !== 1) fail('admin: a short password was not refused');
    await shoot(page, role, 'admin-user-refused');
    await page.fill('#u-password', 'browser-walk-password');
    await Promise.all([page.waitForURL(/done=/), page.click('form[action="/admin/users"][method=post] button[type=submit]')]);
    if (!(await text(page)).includes('User browser-walk added as coordinator.')) fail('admin: the user was not added');
    // Issue a token: shown once; revoke it.
    await page.goto(`${BASE}/admin/users/browser-walk`);
    await page.fill('#t-label', 'browser');
    await page.click('form[action="/admin/users/browser-walk/tokens"] button[type=submit]');
    if (!/mru_\S+/.test(await text(page)) || !(await text(page)).includes('it is not shown again')) fail('admin: the token was not shown');
    await shoot(page, role, 'admin-token-issued');
    await screen(page, role, 'admin-user-tokens', '/admin/users/browser-walk');
    if (/mru_\S+_/.test(await text(page))) fail('admin: the token secret is shown again');
    await Promise.all([page.waitForURL(/done=/), page.click('form[action$="/revoke"] button')]);
    if (!/Token \S+ revoked\./.test(await text(page))) fail('admin: the token was not revoked');
    // Disable, confirmed on its own page.
    await page.goto(`${BASE}/admin/users`);
    await page.click('form[action="/admin/users/browser-walk/disable"] button');
    if (!(await text(page)).includes('Disable browser-walk?')) fail('admin: no confirmation before disabling');
    await shoot(page, role, 'admin-disable-confirm');
    await Promise.all([page.waitForURL(/done=/), page.click('form[action="/admin/users/browser-walk/disable"] button')]);
    if (!(await text(page)).includes('User browser-walk disabled.')) fail('admin: the user was not disabled');
  } else {
    await screen(page, role, 'admin-refused', '/admin/users', 403);
  }
  if (role === 'coordinator') {
    // Record an activity from the form, refused first (an end before the start), then stored.
    await page.goto(`${BASE}/coordination/new`);
    await page.fill('#a-title', 'Browser test workshop');
    await page.selectOption('#a-type', 'training');
    await page.fill('#a-office', 'Browser Office');
    await page.fill('#a-partners', 'cert-fr');
    await page.fill('#a-objectives', '2.3');
    await page.fill('#a-start', '2026-11-10');
    await page.fill('#a-end', '2026-11-01');
    await page.click('form.stack button[type=submit]');
    if (await page.locator('.error-summary').count() !== 1) fail('coordinator: an end before the start was not refused');
    await shoot(page, role, 'activity-refused');
    await page.fill('#a-end', '2026-11-12');
    await Promise.all([page.waitForURL(/\/coordination\/records\/ACT-/), page.click('form.stack button[type=submit]')]);
    if (!(await text(page)).includes('Browser test workshop')) fail('coordinator: the activity was not stored');
    await shoot(page, role, 'activity-stored');
    // Resolve the first open deconfliction flag: keep both, with a note.
    await page.goto(`${BASE}/coordination/deconfliction`);
    const flag = page.locator('form[action$="/resolve"]').first();
    if (await flag.count() === 0) fail('coordinator: no open deconfliction flag to resolve');
    else {
      await flag.locator('input[name=note]').fill('browser test: different audiences');
      await Promise.all([page.waitForURL(/done=/), flag.locator('button').click()]);
      if (!/FLAG-\S+ resolved: keep\./.test(await text(page))) fail('coordinator: the flag was not resolved');
      await shoot(page, role, 'deconfliction-resolved');
    }
    // Set a measure's target and see it on the measure.
    await page.goto(`${BASE}/measures/2.3b`);
    await page.fill('#m-target', '75');
    await Promise.all([page.waitForURL(/done=/), page.click('form[action="/measures/targets"] button')]);
    if (!(await text(page)).includes('set to 75.')) fail('coordinator: the target was not set');
    await shoot(page, role, 'measure-target');
  }
  if (role === 'analyst') {
    // Run a scenario from the form: the top asset fails.
    await page.goto(`${BASE}/scenarios`);
    await page.fill('#f-assets', decodeURIComponent(top.replace('/atlas/', '')));
    await page.fill('#f-countries', 'TW');
    await Promise.all([page.waitForURL(/\/scenarios\?/), page.click('form.stack button[type=submit]')]);
    const body = await text(page);
    if (!body.includes('assets fail at t = 0')) fail('analyst: the scenario did not run');
    if (await page.locator('svg.chart').count() < 1) fail('analyst: no cascade chart');
    await shoot(page, role, 'scenario-run');
    await screen(page, role, 'scenario-compare', '/scenarios?scenario=taiwan&compare=gulf');
    if (!(await text(page)).includes('taiwan compared with gulf')) fail('analyst: the scenarios were not compared');
    // A circle scenario, saved, then deleted.
    await page.goto(`${BASE}/scenarios`);
    await page.fill('#f-circles', '25.0,121.5,300');
    await Promise.all([page.waitForURL(/circles=/), page.click('form.stack button[type=submit]')]);
    if (await page.locator('svg.map ellipse').count() !== 1) fail('analyst: the circle is not on the map');
    await page.fill('#s-name', 'browser-walk');
    await page.fill('#s-description', 'Northern Taiwan, 300 km');
    await Promise.all([page.waitForURL(/saved/), page.click('form[action="/scenarios/save"] button')]);
    if (!(await text(page)).includes('Scenario browser-walk saved.')) fail('analyst: the scenario was not saved');
    await shoot(page, role, 'scenario-saved');
    await Promise.all([page.waitForURL(/deleted/), page.click('form[action="/scenarios/browser-walk/delete"] button')]);
    if (!(await text(page)).includes('Scenario browser-walk deleted.')) fail('analyst: the scenario was not deleted');
    // Monte Carlo with its bands.
    await page.goto(`${BASE}/scenarios/montecarlo`);
    await page.fill('#m-trials', '200');
    await page.fill('#m-foreign_probability', '0.05');
    await page.fill('#m-seed', '7');
    await Promise.all([page.waitForURL(/trials=200/), page.click('form.stack button[type=submit]')]);
    if (!(await text(page)).includes('Result of 200 trials (seed 7)')) fail('analyst: Monte Carlo did not run');
    if (await page.locator('svg.chart').count() < 1) fail('analyst: no Monte Carlo bands');
    await shoot(page, role, 'montecarlo-run');
    // Mark the first finding a false positive.
    await page.goto(`${BASE}/intel`);
    const form = page.locator('form[action="/intel/false-positive"]').first();
    const cve = await form.locator('input[name=cve]').getAttribute('value');
    await form.locator('input[name=note]').fill('browser test: not deployed');
    await Promise.all([page.waitForURL(/done=/), form.locator('button').click()]);
    if (!(await text(page)).includes('Marked as a false positive')) fail(`analyst: ${cve} was not marked`);
    await shoot(page, role, 'intel-marked');
    // Take the mark back from the false positives: the finding is triaged again.
    await screen(page, role, 'false-positives-marked', '/intel/false-positives');
    const unmark = page.locator(`form[action="/intel/unmark"]:has(input[name=cve][value="${cve}"]) button`).first();
    if (await unmark.count() === 0) fail(`analyst: ${cve} is not listed as a false positive`);
    else {
      await Promise.all([page.waitForURL(/done=/), unmark.click()]);
      if (!(await text(page)).includes('No longer a false positive')) fail(`analyst: ${cve} was not unmarked`);
      await shoot(page, role, 'intel-unmarked');
    }
    // Open a CVD case from the form, refused first (a bad country), then opened and advanced.
    await screen(page, role, 'cvd-new', '/intel/cvd/new');
    await page.fill('#c-title', 'Browser test router RCE');
    await page.fill('#c-cves', 'CVE-2026-0001');
    await page.fill('#c-reporter', 'researcher@example.org');
    await page.fill('#c-vendor', 'Acme');
    await page.fill('#c-vendor_country', 'Germany');
    await page.fill('#c-products', 'Acme/Router/<2.4.1');
    await page.click('form.stack button[type=submit]');
    if (await page.locator('#c-vendor_country-error').count() !== 1) fail('analyst: a bad vendor country was not refused');
    await shoot(page, role, 'cvd-refused');
    await page.fill('#c-vendor_country', 'DE');
    await Promise.all([page.waitForURL(/\/intel\/cvd\/MERIDIAN-/), page.click('form.stack button[type=submit]')]);
    if (!(await text(page)).includes('Browser test router RCE')) fail('analyst: the case was not opened');
    await shoot(page, role, 'cvd-case');
    await Promise.all([page.waitForURL(/done=/), page.click('button[name=to][value=vendor_notified]')]);
    if (!(await text(page)).includes('is now vendor notified')) fail('analyst: the case was not advanced');
    await shoot(page, role, 'cvd-advanced');
    await screen(page, role, 'cvd-list', '/intel/cvd');
  }
  await context.close();
}

// The partner user: its portal only, a report on a notification, never another's objects.
{
  const role = 'partner';
  const { context, page } = await session(role);
  if (!page.url().endsWith('/portal')) fail(`partner: landed on ${page.url()}, not /portal`);
  await screen(page, role, 'portal', '/portal');
  const button = page.locator('form[action^="/portal/notifications/"] button').first();
  if (await button.count() === 0) fail('partner: no notification to report on');
  else {
    await Promise.all([page.waitForURL(/done=/), button.click()]);
    if (!/Notification .* is now /.test(await text(page))) fail('partner: the report was not stored');
    await shoot(page, role, 'portal-reported');
  }
  for (const [name, path] of staffScreens.concat([['scenarios', '/scenarios'], ['montecarlo', '/scenarios/montecarlo'], ['atlas-search-ids', '/atlas?q=N-'], ['admin-users', '/admin/users'], ['admin-audit', '/admin/audit']])) {
    const expected = path === '/' ? 200 : 403; // "/" sends a partner to its portal
    await screen(page, role, `refused-${name}`, path, expected);
  }
  await page.goto(`${BASE}/portal`);
  const html = await page.content();
  for (const id of otherPartners) {
    if (html.includes(`>${id}<`)) fail(`partner: sees ${id}, addressed to another partner`);
  }
  if (html.includes('TLP:RED')) fail('partner: a TLP:RED object is listed as shared');
  for (const href of await page.evaluate(() => [...document.querySelectorAll('nav a')].map((a) => a.getAttribute('href')))) {
    if (href !== '/portal') fail(`partner: the navigation offers ${href}`);
  }
  await context.close();
}

await browser.close();
writeFileSync(join(ARTEFACTS, 'report.json'), JSON.stringify({ failures, screens: report }, null, 2));
console.log(`web-test: ${report.length} screens, ${failures.length} failures`);
process.exit(failures.length === 0 ? 0 : 1);
