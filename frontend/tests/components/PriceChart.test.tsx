import { render, screen } from '@testing-library/react';
import { expect, test } from 'vitest';
import { PriceChart } from '../../src/components/PriceChart';

test('draws the seen quotes as a line with an accessible summary of low and high', () => {
  const points = [
    { t: 1_700_000_000_000, price: '10.00' },
    { t: 1_700_000_060_000, price: '12.50' },
    { t: 1_700_000_120_000, price: '11.25' },
  ];
  const { container } = render(<PriceChart sym="ABC" points={points} />);
  const chart = screen.getByRole('img');
  expect(chart.textContent).toMatch(/3 quotes of ABC you have seen/);
  expect(chart.textContent).toMatch(/first \$10\.00, last \$11\.25, low \$10\.00, high \$12\.50/);
  const line = (container.querySelector('polyline')?.getAttribute('points') ?? '').split(' ');
  expect(line).toHaveLength(3);
  const ys = line.map((p) => Number(p.split(',')[1]));
  expect(ys[1]).toBeLessThan(ys[2]!); // the high is drawn highest
  expect(ys[2]).toBeLessThan(ys[0]!);
  expect(screen.getByText(/High \$12\.50 · Low \$10\.00/)).toBeTruthy();
});

test('one quote is not yet a chart, and nothing at all is nothing', () => {
  const { container, rerender } = render(<PriceChart sym="ABC" points={[{ t: 1, price: '5.00' }]} />);
  expect(container.querySelector('svg')).toBeNull();
  expect(container.textContent).toMatch(/One quote of ABC seen so far/);
  rerender(<PriceChart sym="ABC" points={[]} />);
  expect(container.textContent).toBe('');
});
