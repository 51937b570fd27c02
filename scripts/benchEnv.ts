/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- benchmark set-up: runs outside n8n and points n8n-core's user folder at a scratch directory */
import os from 'node:os';
import path from 'node:path';

// Imported first by the benchmark: n8n-core keeps its settings (an encryption key) in the user folder, a scratch one here, never ~/.n8n.
process.env.N8N_USER_FOLDER = path.join(os.tmpdir(), 'n8n-nodes-sora2-bench');
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
