export { createNode, BOOTSTRAP_DIAL_TIMEOUT_MS } from './create-node.ts'
export type { NodeInit, KitNode } from './create-node.ts'
