package io.eventhub.protocol;

import java.util.regex.Pattern;

/**
 * Address patterns as configured (permissions, history streams): an exact address; {@code *}, any run
 * of characters within one dot-separated segment; {@code **}, anything, dots included;
 * {@code {userId}}, one whole segment standing for a user id. Everything else is literal.
 */
public final class AddressGlob {
  public static final String USER_ID = "{userId}";

  private AddressGlob() {}

  /** The regular expression of {@code glob}, with {@code {userId}} matching any one non-empty segment. */
  public static String toRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < glob.length()) {
      if (glob.startsWith("**", i)) {
        regex.append(".*");
        i += 2;
      } else if (glob.charAt(i) == '*') {
        regex.append("[^.]*");
        i++;
      } else if (glob.startsWith(USER_ID, i)) {
        regex.append("[^.]+");
        i += USER_ID.length();
      } else {
        int end = i;
        while (end < glob.length() && glob.charAt(end) != '*' && !glob.startsWith(USER_ID, end)) {
          end++;
        }
        regex.append(Pattern.quote(glob.substring(i, end)));
        i = end;
      }
    }
    return regex.toString();
  }
}
