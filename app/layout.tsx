import type { ReactNode } from 'react';
import './globals.css';

export const metadata = {
  title: 'Wix app backend — demo',
  description: 'Verified Wix app instances end to end',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
