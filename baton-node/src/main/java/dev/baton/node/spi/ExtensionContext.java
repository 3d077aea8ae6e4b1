package dev.baton.node.spi;

/** What an extension may contribute to a node before it boots. Skeleton; see the node change. */
public interface ExtensionContext {}
