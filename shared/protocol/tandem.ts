/**
 * Codecs for Tandem's own messages (type 100 and up). Each `read` validates while
 * it decodes and throws `ProtocolError` on anything it does not expect, trailing
 * bytes included.
 *
 * Handshake: a Tandem client sends `hello { protocolVersion }` before any other
 * Tandem message (Yjs sync and awareness frames may precede it). The relay answers
 * `welcome` and from then on may send Tandem messages to that connection; a
 * different version closes the socket with `ProtocolMismatch`.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { ErrorCode } from './errors.js';
import { isErrorCode } from './errors.js';
import { MessageType } from './messageTypes.js';
import { isRole, type Role } from '../roles.js';
import { CHAT_TEXT_MAX_CHARS } from '../schema/project.js';

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

export interface HelloMessage {
  type: typeof MessageType.Hello;
  protocolVersion: number;
}
export interface WelcomeMessage {
  type: typeof MessageType.Welcome;
  protocolVersion: number;
  roomId: string;
  userId: string;
  name: string;
  role: Role;
}
export interface SyncStatusMessage {
  type: typeof MessageType.SyncStatus;
  counter: number;
}
export interface ErrorMessage {
  type: typeof MessageType.Error;
  code: ErrorCode;
  message: string;
}
/** A chat message to post; the relay adds who sent it and when (so nobody can post as someone else). */
export interface ChatSendMessage {
  type: typeof MessageType.ChatSend;
  text: string;
}
export type TandemMessage =
  HelloMessage | WelcomeMessage | SyncStatusMessage | ErrorMessage | ChatSendMessage;

const STRING_MAX_CHARS = 1024;

export function isTandemType(type: number): type is TandemMessage['type'] {
  return (
    type === MessageType.Hello ||
    type === MessageType.Welcome ||
    type === MessageType.SyncStatus ||
    type === MessageType.Error ||
    type === MessageType.ChatSend
  );
}

export function encodeTandemMessage(message: TandemMessage): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, message.type);
  switch (message.type) {
    case MessageType.Hello:
      encoding.writeVarUint(encoder, message.protocolVersion);
      break;
    case MessageType.Welcome:
      encoding.writeVarUint(encoder, message.protocolVersion);
      encoding.writeVarString(encoder, message.roomId);
      encoding.writeVarString(encoder, message.userId);
      encoding.writeVarString(encoder, message.name);
      encoding.writeVarString(encoder, message.role);
      break;
    case MessageType.SyncStatus:
      encoding.writeVarUint(encoder, message.counter);
      break;
    case MessageType.Error:
      encoding.writeVarString(encoder, message.code);
      encoding.writeVarString(encoder, message.message);
      break;
    case MessageType.ChatSend:
      encoding.writeVarString(encoder, message.text);
      break;
  }
  return encoding.toUint8Array(encoder);
}

/** Reads the body of a Tandem message whose type the caller has already read. */
export function readTandemMessage(decoder: decoding.Decoder, type: TandemMessage['type']): TandemMessage {
  const message = guard(() => readBody(decoder, type));
  if (decoding.hasContent(decoder)) throw new ProtocolError(`trailing bytes after message ${type}`);
  return message;
}

/** Decodes one whole Tandem message, type included. */
export function decodeTandemMessage(bytes: Uint8Array): TandemMessage {
  const decoder = decoding.createDecoder(bytes);
  const type = guard(() => decoding.readVarUint(decoder));
  if (!isTandemType(type)) throw new ProtocolError(`not a Tandem message type: ${type}`);
  return readTandemMessage(decoder, type);
}

function readBody(decoder: decoding.Decoder, type: TandemMessage['type']): TandemMessage {
  switch (type) {
    case MessageType.Hello:
      return { type, protocolVersion: readSafeUint(decoder) };
    case MessageType.Welcome: {
      const protocolVersion = readSafeUint(decoder);
      const roomId = readString(decoder);
      const userId = readString(decoder);
      const name = readString(decoder);
      const role = readString(decoder);
      if (!isRole(role)) throw new ProtocolError(`unknown role: ${role}`);
      return { type, protocolVersion, roomId, userId, name, role };
    }
    case MessageType.SyncStatus:
      return { type, counter: readSafeUint(decoder) };
    case MessageType.Error: {
      const code = readString(decoder);
      if (!isErrorCode(code)) throw new ProtocolError(`unknown error code: ${code}`);
      return { type, code, message: readString(decoder) };
    }
    case MessageType.ChatSend: {
      const text = decoding.readVarString(decoder);
      if (text.length > CHAT_TEXT_MAX_CHARS) throw new ProtocolError('chat message too long');
      return { type, text };
    }
  }
}

function readSafeUint(decoder: decoding.Decoder): number {
  const value = decoding.readVarUint(decoder);
  if (!Number.isSafeInteger(value)) throw new ProtocolError('integer out of range');
  return value;
}

function readString(decoder: decoding.Decoder): string {
  const value = decoding.readVarString(decoder);
  if (value.length > STRING_MAX_CHARS) throw new ProtocolError('string too long');
  return value;
}

/** lib0 throws plain errors on truncated input; give them one type. */
export function guard<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw new ProtocolError(error instanceof Error ? error.message : String(error));
  }
}
