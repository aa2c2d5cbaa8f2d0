/** Private API of the admin library. No compatibility guarantees provided. */
package io.chronoperf.admin.internal;
