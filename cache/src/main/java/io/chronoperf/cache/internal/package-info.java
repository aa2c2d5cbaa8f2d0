/** Private API of the cache library. No compatibility guarantees provided. */
package io.chronoperf.cache.internal;
