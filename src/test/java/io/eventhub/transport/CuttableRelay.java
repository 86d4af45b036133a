package io.eventhub.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on loopback between clients and the hub whose links can be cut the way a network
 * cuts them: {@link #cut()} stops forwarding both ways and drops the client's side, while the hub's
 * side stays open, unread and silent (no FIN, no RST, no close frame), until {@link #close()}.
 */
final class CuttableRelay implements AutoCloseable {
  private final ServerSocket server;
  private final int target;
  private final List<Link> links = new CopyOnWriteArrayList<>();

  CuttableRelay(int targetPort) {
    this.target = targetPort;
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor = new Thread(this::accept, "relay-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** The relay's local ports towards the hub: the peer ports the hub sees, one per link. */
  List<Integer> hubSidePorts() {
    return links.stream().map(link -> link.toHub.getLocalPort()).toList();
  }

  /** Cuts every link: nothing more is forwarded, the clients are dropped, the hub is told nothing. */
  void cut() {
    for (Link link : links) {
      link.cut = true;
      closeQuietly(link.client);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket toHub = new Socket();
        toHub.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5000);
        Link link = new Link(client, toHub);
        links.add(link);
        pump(link, client, toHub);
        pump(link, toHub, client);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** Copies until cut; after a cut the thread ends without closing anything, so the hub's side stays open. */
  private static void pump(Link link, Socket from, Socket to) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[8192];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        for (int n = in.read(buffer); n >= 0 && !link.cut; n = in.read(buffer)) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // the client's side was dropped, or the hub closed its side
      }
      if (!link.cut) {
        // An ordinary end on either side ends the link: a close is passed on, only a cut is not.
        closeQuietly(link.client);
        closeQuietly(link.toHub);
      }
    }, "relay-pump");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() {
    closeQuietly(server);
    for (Link link : links) {
      closeQuietly(link.client);
      closeQuietly(link.toHub);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // already gone
    }
  }

  private static final class Link {
    final Socket client;
    final Socket toHub;
    volatile boolean cut;

    Link(Socket client, Socket toHub) {
      this.client = client;
      this.toHub = toHub;
    }
  }
}
