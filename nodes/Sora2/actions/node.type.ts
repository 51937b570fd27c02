import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/** Every operation takes the whole batch of items at once (waiting for many videos needs that). */
export type BatchExecute = (this: IExecuteFunctions, items: INodeExecutionData[]) => Promise<INodeExecutionData[]>;
