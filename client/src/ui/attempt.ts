/** Runs a request for a button: its failure becomes a toast with the relay's sentence, and null. */
import { ApiError } from '../lib/api.js';
import { toast } from './toast.js';

export async function attempt<T>(work: Promise<T>, failure: string): Promise<T | null> {
  try {
    return await work;
  } catch (error) {
    toast(error instanceof ApiError ? error.message : failure, 'error');
    return null;
  }
}
