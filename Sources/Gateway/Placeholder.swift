import Balancer
import Discovery
enum GatewayPlaceholder {}
