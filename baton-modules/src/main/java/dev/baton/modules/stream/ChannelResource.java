package dev.baton.modules.stream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;

/** A {@link StreamResource} over an NIO channel; as thread-safe as the channel. */
final class ChannelResource implements StreamResource {
  private final Channel channel;
  private final boolean readable;
  private final boolean writable;
  private final boolean seekable;

  ChannelResource(Channel channel, boolean readable, boolean writable, boolean seekable) {
    this.channel = channel;
    this.readable = readable && channel instanceof ReadableByteChannel;
    this.writable = writable && channel instanceof WritableByteChannel;
    this.seekable = seekable && channel instanceof SeekableByteChannel;
  }

  @Override
  public boolean readable() {
    return readable;
  }

  @Override
  public boolean writable() {
    return writable;
  }

  @Override
  public boolean seekable() {
    return seekable;
  }

  @Override
  public int read(ByteBuffer into) throws IOException {
    return ((ReadableByteChannel) channel).read(into);
  }

  @Override
  public int write(ByteBuffer from) throws IOException {
    return ((WritableByteChannel) channel).write(from);
  }

  @Override
  public long position() throws IOException {
    return ((SeekableByteChannel) channel).position();
  }

  @Override
  public void position(long position) throws IOException {
    var _ = ((SeekableByteChannel) channel).position(position);
  }

  @Override
  public long size() throws IOException {
    return channel instanceof SeekableByteChannel s ? s.size() : -1;
  }

  @Override
  public void flush() throws IOException {
    if (channel instanceof FileChannel file && writable) {
      file.force(false);
    }
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
