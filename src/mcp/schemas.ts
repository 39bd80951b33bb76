/** The argument schemas the tools share, so that every tool names and checks ids alike. */
import { z } from 'zod'

export const requestId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a request id is 1-64 letters, digits, - or _ (list_requests shows them)')
  .describe('A request id, as list_requests shows it')

export const traceId = z
  .string()
  .regex(/^[0-9a-fA-F]{32}$/, 'a trace id is 32 hexadecimal characters')
  .refine((id) => !/^0+$/.test(id), 'a trace id is not all zeros')
  .transform((id) => id.toLowerCase())
  .describe('A trace id (32 hex characters), as list_requests or get_request show it')

export const spanId = z
  .string()
  .regex(/^[0-9a-fA-F]{16}$/, 'a span id is 16 hexadecimal characters')
  .transform((id) => id.toLowerCase())

export const cursor = z.string().max(200).describe('The nextCursor of the previous answer, for the next page')

/** A page size with a default and a cap. */
export function limit(fallback: number, most: number) {
  return z.number().int().min(1).max(most).default(fallback).describe(`How many items per page (default ${fallback}, at most ${most})`)
}
