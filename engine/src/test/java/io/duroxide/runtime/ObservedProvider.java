package io.duroxide.runtime;

import io.duroxide.provider.Provider;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/** A real provider behind a proxy that passes every call on and shows each successful call to a listener. */
final class ObservedProvider {
    /** One call the runtime made and what the store returned. */
    interface Listener {
        void called(String method, Object[] args, Object result);
    }

    private ObservedProvider() {}

    static Provider of(Provider delegate, Listener listener) {
        return (Provider) Proxy.newProxyInstance(Provider.class.getClassLoader(), new Class<?>[] {Provider.class},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    listener.called(method.getName(), args, result);
                    return result;
                });
    }
}
