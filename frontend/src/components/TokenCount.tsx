import { formatInteger, formatTokens } from "../format";

/** A token total, short ("1.2M") with the exact count in the tooltip and in `data-value`. */
export function TokenCount({ tokens }: { tokens: number }) {
  return (
    <span data-testid="tokens" data-value={tokens} title={`${formatInteger(tokens)} tokens`}>
      {formatTokens(tokens)}
    </span>
  );
}
