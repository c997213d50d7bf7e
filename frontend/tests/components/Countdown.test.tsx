import { render, screen } from '@testing-library/react';
import { expect, test, vi } from 'vitest';
import { Countdown } from '../../src/components/Countdown';

test('shows the time left as a timer and says it aloud only at a few moments', () => {
  const onExpire = vi.fn();
  const { rerender, container } = render(<Countdown seconds={42} label="BUY ABC" onExpire={onExpire} />);
  expect(screen.getByRole('timer')).toHaveProperty('textContent', '0:42 left');
  expect(screen.getByRole('timer').getAttribute('aria-label')).toBe('BUY ABC: 42 seconds left');
  const live = container.querySelector('[aria-live="polite"]')!;
  expect(live.textContent).toBe('');

  rerender(<Countdown seconds={10} label="BUY ABC" onExpire={onExpire} />);
  expect(live.textContent).toBe('BUY ABC: 10 seconds left.');
  rerender(<Countdown seconds={9} label="BUY ABC" onExpire={onExpire} />);
  expect(live.textContent).toBe('BUY ABC: 10 seconds left.');
  expect(onExpire).not.toHaveBeenCalled();
});

test('at zero it says the time is up and reports the expiry once', () => {
  const onExpire = vi.fn();
  const { rerender, container } = render(<Countdown seconds={1} label="SELL XYZ" onExpire={onExpire} />);
  rerender(<Countdown seconds={0} label="SELL XYZ" onExpire={onExpire} />);
  rerender(<Countdown seconds={0} label="SELL XYZ" onExpire={onExpire} />);
  expect(screen.getByRole('timer').textContent).toBe('Expired');
  expect(container.querySelector('[aria-live="polite"]')?.textContent).toBe('SELL XYZ: time is up.');
  expect(onExpire).toHaveBeenCalledTimes(1);
});
