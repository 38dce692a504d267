export { createNode } from './create-node.ts'
export type { NodeInit, KitNode } from './create-node.ts'
