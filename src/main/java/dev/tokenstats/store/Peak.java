package dev.tokenstats.store;

/** The busiest minute of a period: most requests in one minute and most tokens in one minute. */
public record Peak(long requestsPerMinute, long tokensPerMinute) {
}
