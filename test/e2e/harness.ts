/* Real-n8n e2e harness: one import point for the tests, the UI test and `npm run demo`. */
/**
 * Runs workflows in a REAL headless n8n (the pinned one scripts/e2e/setup-n8n.sh installs into
 * .cache/n8n-e2e/) with this package loaded one of the two ways users load it:
 *
 * - 'custom':    package.json + dist/ copied to a scratch folder named by N8N_CUSTOM_EXTENSIONS;
 *                node types are `CUSTOM.<name>`.
 * - 'installed': `npm pack` of the repo, installed into <N8N_USER_FOLDER>/.n8n/nodes/node_modules/
 *                exactly the way n8n 2.41's CommunityPackagesService.downloadPackage() does it
 *                (untar, drop dev/peer/optional dependencies, `npm install --ignore-scripts …`,
 *                record it in nodes/package.json); node types are `n8n-nodes-sora2.<name>`.
 *                n8n loads it by scanning that folder (CommunityPackagesModule.nodeLoaders ->
 *                scanDirectoryForPackages('n8n-nodes-*')): no `installed_packages` DB row needed.
 *
 * Every user folder lives in the OS temp dir (never under the repo, so Node's module resolution
 * cannot fall back to the repo's own node_modules/, e.g. its dev copy of zod).
 */
export * from './lib/paths';
export * from './lib/processes';
export * from './lib/staging';
export * from './lib/runData';
export * from './lib/session';
export * from './lib/mock';
export * from './lib/n8nProcess';
export * from './lib/callbacks';
export * from './lib/webhookCall';
