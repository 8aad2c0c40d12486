# autoencoder_classifier: the trained encoder of models/autoencoder.dsl, then flatten, dense 64
# relu, dropout 0.7, dense 10 (the MNIST study: batch 512, 85 errors in 10,000). Train the
# autoencoder first, into the run directory named below:
#   gpufm train models/autoencoder.dsl --out runs/autoencoder
#   gpufm train models/autoencoder_classifier.dsl
# The encoder's layers and weights come from that run: frozen for the first 20 epochs, then
# fine-tuned end to end for 10 at a tenth of the learning rate. Another run: --set encoder_run=DIR.
let encoder_run = "runs/autoencoder"

input 28x28x1

block encoder from $encoder_run frozen

flatten
dense 64 relu
dropout 0.7
dense 10 softmax

train:
  loss crossentropy
  optimizer adam lr=0.001
  batch 512
  epochs 20
  validation 0.1
  fine_tune epochs=10 lr=0.0001
