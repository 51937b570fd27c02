/*
 * Every default the user meets, written once: the fields show them (as `default: NAME`; boolean
 * defaults are literals in the fields, as n8n's lint wants, and n8n fills them in before the node
 * reads them), and reading an option that is not set falls back to them.
 */

export const POLL_INTERVAL_SECONDS = 10;
export const MAX_WAIT_SECONDS = 1200;
/** Early in a long generation, status reads may be up to this many Poll Intervals apart. */
export const MAX_POLL_INTERVALS_BETWEEN_READS = 6;
/**
 * Some gateways register a task a moment after accepting its create: a status read of a task this run
 * created that answers 404 within this many seconds of the create means "not visible yet" (the wait
 * goes on); after that it is an error.
 */
export const UNSEEN_TASK_GRACE_SECONDS = 60;
export const BINARY_PROPERTY_NAME = 'data';
export const MAX_CONCURRENCY = 5;
/** 0 = no limit. */
export const MAX_REQUESTS_PER_MINUTE = 0;
export const MAX_RETRIES = 3;
export const REQUEST_TIMEOUT_SECONDS = 60;
/** A non-streamed chat answer comes only when the video is done (minutes). */
export const CHAT_REQUEST_TIMEOUT_SECONDS = 300;
export const CHAT_MODEL = 'sora-2';
/** The editor's model list (GET /models) waits this long for the gateway, then offers the documented models. */
export const MODEL_LIST_TIMEOUT_SECONDS = 15;
/** The largest image sent as data (Image Files, data URLs), in MB of 1,048,576 bytes: a 10 MB image is a 13.3 MB request. */
export const MAX_IMAGE_MB = 10;
export const TOOLS = 'function:generate_animate';
export const TOOL_CHOICE_FUNCTION = 'generate_animate';

/**
 * The order in which the run's requests start when they compete for a slot (lower first): what
 * may start a video, then what finishes one, then status reads.
 */
export const REQUEST_PRIORITY = { create: 0, chat: 0, download: 1, statusRead: 2 } as const;

/**
 * How long Create remembers a task it made, so a Retry or a Unique Key picks it up instead of paying
 * again: longer than a retry usually comes after a failed run, shorter than providers keep tasks.
 */
export const TASK_MEMORY_HOURS = 24;
/** The most tasks one Create node remembers (the newest are kept): about 200 bytes each in the workflow's static data. */
export const TASK_MEMORY_MAX_TASKS = 1000;
