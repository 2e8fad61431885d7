package dev.leakproof.soak;

/**
 * Builds one JSON object on one line, reusing its buffer: the soak writes many thousands of lines
 * and must not allocate a tree per line. Nesting is limited to {@link #MAX_DEPTH} levels.
 * Not thread-safe.
 */
final class Json {

    /** The deepest nesting of objects and arrays a line may have. */
    static final int MAX_DEPTH = 8;

    private final StringBuilder sb = new StringBuilder(2048);
    private final boolean[] needComma = new boolean[MAX_DEPTH];
    private int depth = -1;

    /** Starts a new line's top-level object, discarding anything built before. */
    Json begin() {
        sb.setLength(0);
        depth = -1;
        return open('{');
    }

    /** Ends the innermost object. */
    Json end() {
        return close('}');
    }

    /** Starts an object field. */
    Json object(String name) {
        key(name);
        return open('{');
    }

    /** Starts an array field. */
    Json array(String name) {
        key(name);
        return open('[');
    }

    /** Ends the innermost array. */
    Json endArray() {
        return close(']');
    }

    /** Starts an object as the next element of the innermost array. */
    Json element() {
        comma();
        return open('{');
    }

    /** Adds a string as the next element of the innermost array. */
    Json element(String value) {
        comma();
        string(value);
        return this;
    }

    Json field(String name, long value) {
        key(name);
        sb.append(value);
        return this;
    }

    Json field(String name, double value) {
        key(name);
        if (Double.isFinite(value)) {
            sb.append(value);
        } else {
            sb.append("null");
        }
        return this;
    }

    Json field(String name, boolean value) {
        key(name);
        sb.append(value);
        return this;
    }

    /** A string field; {@code null} is written as JSON {@code null}. */
    Json field(String name, String value) {
        key(name);
        if (value == null) {
            sb.append("null");
        } else {
            string(value);
        }
        return this;
    }

    /** The line built so far (complete once every object and array is ended). */
    CharSequence line() {
        if (depth != -1) {
            throw new IllegalStateException("unterminated JSON line at depth " + depth + ": " + sb);
        }
        return sb;
    }

    /** The capacity of the reused buffer, for the test that the driver's own memory stays bounded. */
    int bufferCapacity() {
        return sb.capacity();
    }

    private Json open(char c) {
        if (depth + 1 >= MAX_DEPTH) {
            throw new IllegalStateException("JSON nesting deeper than " + MAX_DEPTH);
        }
        sb.append(c);
        needComma[++depth] = false;
        return this;
    }

    private Json close(char c) {
        if (depth < 0) {
            throw new IllegalStateException("nothing to close with " + c);
        }
        sb.append(c);
        depth--;
        return this;
    }

    private void comma() {
        if (needComma[depth]) {
            sb.append(',');
        }
        needComma[depth] = true;
    }

    private void key(String name) {
        comma();
        string(name);
        sb.append(':');
    }

    private void string(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
