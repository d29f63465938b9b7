/**
 * A speaking indicator from the audio level: an AnalyserNode on the track, its
 * RMS sampled a few times a second. One AudioContext for the page (browsers
 * limit how many there may be).
 */
import { useEffect, useState } from 'preact/hooks';

const SAMPLE_INTERVAL_MS = 100;
/** About 43 ms of sound at 48 kHz per sample. */
const WINDOW_SAMPLES = 2048;
/** RMS of the time-domain samples (0..1) above which someone counts as speaking. */
const SPEAKING_RMS = 0.015;
/** Speech has gaps between syllables: the ring stays on this long after the last loud sample. */
const SPEAKING_HOLD_MS = 600;

let context: AudioContext | null = null;

function audioContext(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  context ??= new AudioContext();
  if (context.state === 'suspended') void context.resume().catch(() => undefined);
  return context;
}

/** Calls `onLevel` with the RMS level of `track` until the returned stop is called. */
export function watchLevel(track: MediaStreamTrack, onLevel: (rms: number) => void): () => void {
  const ctx = audioContext();
  if (!ctx) return () => undefined;
  const source = ctx.createMediaStreamSource(new MediaStream([track]));
  const analyser = ctx.createAnalyser();
  analyser.fftSize = WINDOW_SAMPLES;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    onLevel(Math.sqrt(sum / samples.length));
  }, SAMPLE_INTERVAL_MS);
  return () => {
    clearInterval(timer);
    source.disconnect();
  };
}

/** True while the audio track carries speech-level sound. */
export function useSpeaking(track: MediaStreamTrack | null): boolean {
  const [speaking, setSpeaking] = useState(false);
  useEffect(() => {
    setSpeaking(false);
    if (!track) return;
    let lastLoud = -Infinity;
    return watchLevel(track, (rms) => {
      const now = performance.now();
      if (rms > SPEAKING_RMS) lastLoud = now;
      setSpeaking(now - lastLoud < SPEAKING_HOLD_MS);
    });
  }, [track]);
  return speaking;
}
