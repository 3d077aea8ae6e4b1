package dev.baton.modules.stream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A {@link StreamResource} over a connected, blocking {@link SocketChannel}. The channel is
 * thread-safe: {@link #close} from any thread ends a read blocked on another (the JDK wakes it with
 * an {@link java.nio.channels.AsynchronousCloseException}).
 */
final class SocketResource implements StreamResource {
  private final SocketChannel channel;

  SocketResource(SocketChannel channel) {
    this.channel = channel;
  }

  @Override
  public boolean readable() {
    return true;
  }

  @Override
  public boolean writable() {
    return true;
  }

  @Override
  public boolean halfClosable() {
    return true;
  }

  @Override
  public int read(ByteBuffer into) throws IOException {
    return channel.read(into);
  }

  @Override
  public int write(ByteBuffer from) throws IOException {
    return channel.write(from);
  }

  @Override
  public void closeOutput() throws IOException {
    var _ = channel.shutdownOutput();
  }

  @Override
  public boolean isOpen() {
    return channel.isOpen();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
