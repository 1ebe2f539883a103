package org.sparkamm.io.torch;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkamm.error.AmmFormatException;

/**
 * An allow-list interpreter of Python pickle streams (protocols 2 to 5), enough for PyTorch's
 * {@code data.pkl}. It builds only plain values: None, booleans, longs, doubles, strings, byte
 * arrays, {@code List} (Python lists and tuples), {@code Map} (dicts), {@code BigInteger} for
 * integers wider than 64 bits, and what {@link Globals}
 * returns for the few globals it allows. It never loads a class by name or calls anything outside
 * that allow-list: a stream that asks for any other global is refused with an error naming it.
 */
final class Pickle {
  /** The globals a stream may reference, and what calling them means. */
  interface Globals {
    /** The object for {@code module.name}; throws if it is not allowed. */
    Object resolve(String module, String name);

    /** {@code callable(*args)} for REDUCE and NEWOBJ. */
    Object call(Object callable, List<Object> args);

    /** {@code obj.__setstate__(state)} / {@code obj.__dict__.update(state)} for BUILD. */
    Object build(Object obj, Object state);

    /** The object of a persistent id (BINPERSID). */
    Object persistentLoad(Object pid);
  }

  private static final Object MARK = new Object();
  private final ByteBuffer in;
  private final Globals globals;
  private final String source;
  private final List<Object> stack = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();

  private Pickle(ByteBuffer in, Globals globals, String source) {
    this.in = in;
    this.globals = globals;
    this.source = source;
  }

  static Object load(byte[] data, Globals globals, String source) {
    return load(ByteBuffer.wrap(data), globals, source);
  }

  /**
   * Reads one pickle from the buffer's position up to and including its STOP, leaving the
   * position after it (a file may hold several pickles one after another, as legacy
   * {@code torch.save} files do); each pickle has its own memo, as with Python's pickle.load.
   */
  static Object load(ByteBuffer data, Globals globals, String source) {
    try {
      return new Pickle(data.order(ByteOrder.LITTLE_ENDIAN), globals, source).run();
    } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException | ClassCastException e) {
      throw new AmmFormatException(source + ": malformed pickle stream (" + e.getClass().getSimpleName() + ")");
    }
  }

  private Object run() {
    while (true) {
      int op = in.get() & 0xff;
      switch (op) {
        case 0x80: // PROTO
          int proto = in.get() & 0xff;
          if (proto > 5) {
            throw fail("unsupported pickle protocol " + proto);
          }
          break;
        case 0x95: // FRAME
          in.getLong();
          break;
        case '.': // STOP
          return pop();
        case '(':
          stack.add(MARK);
          break;
        case ')':
          stack.add(new ArrayList<>());
          break;
        case 0x85:
          stack.add(new ArrayList<>(List.of(pop())));
          break;
        case 0x86: {
          Object b = pop();
          Object a = pop();
          stack.add(new ArrayList<>(Arrays.asList(a, b)));
          break;
        }
        case 0x87: {
          Object c = pop();
          Object b = pop();
          Object a = pop();
          stack.add(new ArrayList<>(Arrays.asList(a, b, c)));
          break;
        }
        case 't': // TUPLE
        case 'l': // LIST
          stack.add(popMark());
          break;
        case ']':
          stack.add(new ArrayList<>());
          break;
        case 'a': { // APPEND
          Object v = pop();
          list(peek()).add(v);
          break;
        }
        case 'e': { // APPENDS
          List<Object> items = popMark();
          list(peek()).addAll(items);
          break;
        }
        case '}':
          stack.add(new LinkedHashMap<>());
          break;
        case 'd': { // DICT
          List<Object> items = popMark();
          Map<Object, Object> m = new LinkedHashMap<>();
          for (int i = 0; i + 1 < items.size(); i += 2) {
            m.put(key(items.get(i)), items.get(i + 1));
          }
          stack.add(m);
          break;
        }
        case 's': { // SETITEM
          Object v = pop();
          Object k = pop();
          map(peek()).put(key(k), v);
          break;
        }
        case 'u': { // SETITEMS
          List<Object> items = popMark();
          Map<Object, Object> m = map(peek());
          for (int i = 0; i + 1 < items.size(); i += 2) {
            m.put(key(items.get(i)), items.get(i + 1));
          }
          break;
        }
        case 0x8f: // EMPTY_SET
          stack.add(new ArrayList<>());
          break;
        case 0x90: { // ADDITEMS
          List<Object> items = popMark();
          list(peek()).addAll(items);
          break;
        }
        case 'N':
          stack.add(null);
          break;
        case 0x88:
          stack.add(Boolean.TRUE);
          break;
        case 0x89:
          stack.add(Boolean.FALSE);
          break;
        case 'J':
          stack.add((long) in.getInt());
          break;
        case 'K':
          stack.add((long) (in.get() & 0xff));
          break;
        case 'M':
          stack.add((long) (in.getShort() & 0xffff));
          break;
        case 0x8a: // LONG1
          stack.add(littleEndianSigned(bytes(in.get() & 0xff)));
          break;
        case 0x8b: // LONG4
          stack.add(littleEndianSigned(bytes(length(in.getInt()))));
          break;
        case 'G': // BINFLOAT (big-endian)
          stack.add(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble());
          break;
        case 'X': // BINUNICODE
          stack.add(new String(bytes(length(in.getInt() & 0xffffffffL)), StandardCharsets.UTF_8));
          break;
        case 0x8c: // SHORT_BINUNICODE
          stack.add(new String(bytes(in.get() & 0xff), StandardCharsets.UTF_8));
          break;
        case 0x8d: // BINUNICODE8
          stack.add(new String(bytes(length(in.getLong())), StandardCharsets.UTF_8));
          break;
        case 'T': // BINSTRING
          stack.add(new String(bytes(length(in.getInt())), StandardCharsets.ISO_8859_1));
          break;
        case 'U': // SHORT_BINSTRING
          stack.add(new String(bytes(in.get() & 0xff), StandardCharsets.ISO_8859_1));
          break;
        case 'B': // BINBYTES
          stack.add(bytes(length(in.getInt() & 0xffffffffL)));
          break;
        case 'C': // SHORT_BINBYTES
          stack.add(bytes(in.get() & 0xff));
          break;
        case 0x8e: // BINBYTES8
          stack.add(bytes(length(in.getLong())));
          break;
        case 'q': // BINPUT
          memo.put((long) (in.get() & 0xff), peek());
          break;
        case 'r': // LONG_BINPUT
          memo.put(in.getInt() & 0xffffffffL, peek());
          break;
        case 0x94: // MEMOIZE
          memo.put((long) memo.size(), peek());
          break;
        case 'h': // BINGET
          stack.add(memoGet(in.get() & 0xff));
          break;
        case 'j': // LONG_BINGET
          stack.add(memoGet(in.getInt() & 0xffffffffL));
          break;
        case 'c': { // GLOBAL
          String module = line();
          String name = line();
          stack.add(globals.resolve(module, name));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          Object name = pop();
          Object module = pop();
          stack.add(globals.resolve(String.valueOf(module), String.valueOf(name)));
          break;
        }
        case 'R': { // REDUCE
          Object args = pop();
          Object callable = pop();
          stack.add(globals.call(callable, list(args)));
          break;
        }
        case 0x81: { // NEWOBJ
          Object args = pop();
          Object cls = pop();
          stack.add(globals.call(cls, list(args)));
          break;
        }
        case 'b': { // BUILD
          Object state = pop();
          Object obj = pop();
          stack.add(globals.build(obj, state));
          break;
        }
        case 'Q': // BINPERSID
          stack.add(globals.persistentLoad(pop()));
          break;
        default:
          throw fail(String.format("unsupported pickle opcode 0x%02x", op));
      }
    }
  }

  private AmmFormatException fail(String what) {
    return new AmmFormatException(source + ": " + what);
  }

  private Object memoGet(long index) {
    if (!memo.containsKey(index)) {
      throw fail("pickle refers to a missing memo entry " + index);
    }
    return memo.get(index);
  }

  private int length(long n) {
    if (n < 0 || n > in.remaining()) {
      throw fail("pickle string or bytes of length " + n + " runs past the end of the stream");
    }
    return (int) n;
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[length(n)];
    in.get(b);
    return b;
  }

  private String line() {
    StringBuilder sb = new StringBuilder();
    while (true) {
      byte c = in.get();
      if (c == '\n') {
        return sb.toString();
      }
      sb.append((char) (c & 0xff));
      if (sb.length() > 1000) {
        throw fail("pickle GLOBAL name too long");
      }
    }
  }

  /** A two's complement little-endian integer: a Long when it fits 64 bits, else a BigInteger. */
  private static Object littleEndianSigned(byte[] b) {
    if (b.length > 8) {
      byte[] bigEndian = new byte[b.length];
      for (int i = 0; i < b.length; i++) {
        bigEndian[i] = b[b.length - 1 - i];
      }
      BigInteger v = new BigInteger(bigEndian);
      return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }
    long v = 0;
    for (int i = b.length - 1; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xff);
    }
    if (b.length > 0 && b.length < 8 && (b[b.length - 1] & 0x80) != 0) {
      v -= 1L << (8 * b.length);
    }
    return v;
  }

  private Object pop() {
    if (stack.isEmpty()) {
      throw fail("pickle stack underflow");
    }
    Object o = stack.remove(stack.size() - 1);
    if (o == MARK) {
      throw fail("pickle MARK where a value was expected");
    }
    return o;
  }

  private Object peek() {
    if (stack.isEmpty()) {
      throw fail("pickle stack underflow");
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popMark() {
    int i = stack.size() - 1;
    while (i >= 0 && stack.get(i) != MARK) {
      i--;
    }
    if (i < 0) {
      throw fail("pickle has no MARK to pop to");
    }
    List<Object> items = new ArrayList<>(stack.subList(i + 1, stack.size()));
    stack.subList(i, stack.size()).clear();
    return items;
  }

  @SuppressWarnings("unchecked")
  private List<Object> list(Object o) {
    if (!(o instanceof List)) {
      throw fail("pickle expected a list or tuple, found " + describe(o));
    }
    return (List<Object>) o;
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> map(Object o) {
    if (!(o instanceof Map)) {
      throw fail("pickle expected a dict, found " + describe(o));
    }
    return (Map<Object, Object>) o;
  }

  private static Object key(Object k) {
    return k;
  }

  static String describe(Object o) {
    return o == null ? "None" : o.getClass().getSimpleName();
  }
}
