package org.sparkamm.cluster;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP sockets a process listens on, read from Linux's {@code /proc}: the socket inodes among
 * {@code /proc/PID/fd}, looked up in {@code /proc/PID/net/tcp} and {@code tcp6} (state 0A is
 * LISTEN; addresses are hex, each 32-bit word in host byte order, little-endian here).
 */
final class ListeningSockets {
  private static final String LISTEN = "0A";

  private ListeningSockets() {}

  /** The local address:port of every socket the process listens on, in hex as /proc writes them. */
  static List<String> of(long pid) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException e) {
          // the descriptor was closed while listing
        }
      }
    }
    List<String> out = new ArrayList<>();
    for (String table : new String[] {"tcp", "tcp6"}) {
      Path file = Path.of("/proc", Long.toString(pid), "net", table);
      if (!Files.exists(file)) {
        continue;
      }
      for (String line : Files.readAllLines(file)) {
        String[] f = line.strip().split("\\s+");
        if (f.length > 9 && f[3].equals(LISTEN) && inodes.contains(f[9])) {
          out.add(f[1]);
        }
      }
    }
    return out;
  }

  /** True for an address:port in 127.0.0.0/8, ::1 or ::ffff:127.x.y.z (IPv4-mapped: Java's dual-stack sockets). */
  static boolean isLoopback(String hexAddressAndPort) {
    String hex = hexAddressAndPort.substring(0, hexAddressAndPort.indexOf(':'));
    if (hex.length() == 8) {
      return hex.endsWith("7F"); // the first octet is the word's low byte
    }
    return hex.equals("00000000000000000000000001000000")
        || hex.startsWith("0000000000000000FFFF0000") && hex.endsWith("7F");
  }
}
