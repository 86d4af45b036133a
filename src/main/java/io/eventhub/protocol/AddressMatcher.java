package io.eventhub.protocol;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * One address pattern ({@link AddressGlob}'s syntax) compiled once and shared by every connection:
 * {@code {userId}} stands for the user id given with each match, as a literal, so a per-user pattern
 * costs a connection nothing and an id holding {@code *} or {@code .} cannot widen it. Matching is
 * linear in the address's length for any pattern (positions reachable after each token, no
 * backtracking), so no address a client sends makes it slow.
 */
public final class AddressMatcher {
  private enum Kind { LITERAL, STAR, DOUBLE_STAR, USER_ID }

  private record Token(Kind kind, String literal) {}

  private final List<Token> tokens;
  private final boolean perUser;

  private AddressMatcher(List<Token> tokens) {
    this.tokens = List.copyOf(tokens);
    this.perUser = tokens.stream().anyMatch(token -> token.kind() == Kind.USER_ID);
  }

  public static AddressMatcher of(String glob) {
    List<Token> tokens = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < glob.length()) {
      Kind wildcard = glob.startsWith("**", i) ? Kind.DOUBLE_STAR
          : glob.charAt(i) == '*' ? Kind.STAR
          : glob.startsWith(AddressGlob.USER_ID, i) ? Kind.USER_ID : null;
      if (wildcard == null) {
        literal.append(glob.charAt(i++));
        continue;
      }
      if (!literal.isEmpty()) {
        tokens.add(new Token(Kind.LITERAL, literal.toString()));
        literal.setLength(0);
      }
      tokens.add(new Token(wildcard, null));
      i += wildcard == Kind.DOUBLE_STAR ? 2 : wildcard == Kind.STAR ? 1 : AddressGlob.USER_ID.length();
    }
    if (!literal.isEmpty()) {
      tokens.add(new Token(Kind.LITERAL, literal.toString()));
    }
    return new AddressMatcher(tokens);
  }

  /** The pattern holds {@code {userId}}: it matches nothing for a connection without a user id. */
  public boolean perUser() {
    return perUser;
  }

  /** {@code userId} may be null (anonymous): then a per-user pattern matches nothing. */
  public boolean matches(String address, String userId) {
    if (perUser && (userId == null || userId.isEmpty())) {
      return false;
    }
    int length = address.length();
    BitSet at = new BitSet(length + 1);
    at.set(0);
    for (Token token : tokens) {
      BitSet next = new BitSet(length + 1);
      switch (token.kind()) {
        case LITERAL -> advance(at, next, address, token.literal());
        case USER_ID -> advance(at, next, address, userId);
        case STAR -> {
          for (int p = at.nextSetBit(0); p >= 0; p = at.nextSetBit(p + 1)) {
            int end = p;
            next.set(end);
            while (end < length && address.charAt(end) != '.' && !next.get(end + 1)) {
              next.set(++end);
            }
          }
        }
        case DOUBLE_STAR -> {
          int first = at.nextSetBit(0);
          if (first >= 0) {
            next.set(first, length + 1);
          }
        }
      }
      if (next.isEmpty()) {
        return false;
      }
      at = next;
    }
    return at.get(length);
  }

  private static void advance(BitSet at, BitSet next, String address, String literal) {
    for (int p = at.nextSetBit(0); p >= 0; p = at.nextSetBit(p + 1)) {
      if (address.startsWith(literal, p)) {
        next.set(p + literal.length());
      }
    }
  }
}
