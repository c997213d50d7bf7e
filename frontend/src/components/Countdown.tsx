import { useEffect, useRef, useState } from 'react';

const ANNOUNCE_AT = new Set([30, 10, 5]);

function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return `${m}:${s}`;
}

/**
 * Seconds left to commit (`seconds`, from the caller's clock, so buttons and timer agree). The visible timer is silent; a polite live region speaks only
 * at 30, 10 and 5 seconds and at the end, so a screen reader is not flooded every second.
 */
interface CountdownProps {
  seconds: number;
  label: string;
  onExpire?: () => void;
}

export function Countdown({ seconds, label, onExpire }: CountdownProps) {
  const [announcement, setAnnouncement] = useState('');
  const expiredRef = useRef(false);

  useEffect(() => {
    if (seconds === 0) {
      setAnnouncement(`${label}: time is up.`);
      if (!expiredRef.current) {
        expiredRef.current = true;
        onExpire?.();
      }
    } else if (ANNOUNCE_AT.has(seconds)) {
      setAnnouncement(`${label}: ${seconds} seconds left.`);
    }
  }, [seconds, label, onExpire]);

  const urgent = seconds <= 10;
  return (
    <span className="countdown">
      <span
        role="timer"
        aria-label={`${label}: ${seconds} seconds left`}
        className={`timer${urgent ? ' timer-urgent' : ''}${seconds === 0 ? ' timer-done' : ''}`}
      >
        {seconds === 0 ? 'Expired' : `${clock(seconds)} left`}
      </span>
      <span className="sr-only" aria-live="polite">
        {announcement}
      </span>
    </span>
  );
}
