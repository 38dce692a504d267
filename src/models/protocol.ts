/** The models protocol's messages (the code is shared by every kind: src/named/protocol.ts). */
export type { IndexEntry, ModelsRequest, ModelsResponse } from '../named/index.ts'
